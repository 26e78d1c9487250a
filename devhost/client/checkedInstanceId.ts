import { ClientError } from "./ClientError.js";
import { hasInvalidCharacter } from "./hasInvalidCharacter.js";

/** The extension's MaxInstanceIdLength. */
const MAX_INSTANCE_ID_LENGTH = 256;

/** The instance id, if the extension accepts it as one (StartNewAsync's checks); a badArgument ClientError otherwise. */
export function checkedInstanceId(instanceId: string): string {
  // The extension passes message and parameter name the wrong way round; these are the messages it reports.
  if (instanceId.startsWith("@")) {
    throw new ClientError("badArgument", "instanceId (Parameter 'Orchestration instance ids must not start with @.')");
  }
  if (hasInvalidCharacter(instanceId)) {
    throw new ClientError("badArgument", "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')");
  }
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    throw new ClientError("badArgument", `Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`);
  }
  return instanceId;
}
