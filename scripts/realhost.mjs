// The real-extension host (realhost/): where its build lives, whether that build is current, and
// building it. Shared by npm start, npm run test:realhost and the tests, which spawn the built
// RealHost.dll with `dotnet`. Plain JavaScript, as azurite.mjs; its types are in realhost.d.mts.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const REALHOST_PROJECT = path.join(ROOT, "realhost", "RealHost", "RealHost.csproj");
export const REALHOST_DLL = path.join(ROOT, "realhost", "RealHost", "bin", "Release", "net8.0", "RealHost.dll");
const SOURCES = [path.join(ROOT, "realhost", "RealHost"), path.join(ROOT, "realhost", "Directory.Build.props")];

/** The dotnet executable when a .NET SDK is installed (the host is built, not only run); else undefined. */
export function findDotnetSdk() {
  const probe = spawnSync("dotnet", ["--list-sdks"], { encoding: "utf8" });
  return probe.status === 0 && probe.stdout.trim() !== "" ? "dotnet" : undefined;
}

/** True when RealHost.dll exists and is newer than every source file of the project. */
export function realhostBuildIsCurrent() {
  if (!existsSync(REALHOST_DLL)) return false;
  const built = statSync(REALHOST_DLL).mtimeMs;
  const newer = (entry) => {
    const stat = statSync(entry);
    if (!stat.isDirectory()) return /\.(cs|csproj|props)$/.test(entry) && stat.mtimeMs > built;
    return readdirSync(entry)
      .filter((name) => name !== "bin" && name !== "obj")
      .some((name) => newer(path.join(entry, name)));
  };
  return !SOURCES.some((source) => existsSync(source) && newer(source));
}

/** `dotnet build` (restore included) in Release, its output shown; rejects when it fails. */
export function buildRealhost() {
  return new Promise((resolve, reject) => {
    const build = spawn("dotnet", ["build", REALHOST_PROJECT, "-c", "Release", "--nologo", "-v", "quiet"], { stdio: "inherit" });
    build.once("error", reject);
    build.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`dotnet build ${path.relative(ROOT, REALHOST_PROJECT)} failed (exit code ${code}).`))));
  });
}

/** Builds the host unless its build is current; says which, through `log`. */
export async function ensureRealhostBuilt(log = console.log) {
  if (realhostBuildIsCurrent()) return;
  log(`Building the real-extension host (dotnet build ${path.relative(ROOT, REALHOST_PROJECT)}): the first time restores NuGet packages and takes a minute or two.`);
  const started = Date.now();
  await buildRealhost();
  log(`Built the real-extension host in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
