import { installFunctionsCore } from "./functionsHost.js";

installFunctionsCore();
