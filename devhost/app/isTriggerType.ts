/** The rule @azure/functions and the host share: a binding is a trigger when its type ends in "Trigger". */
export function isTriggerType(type: string): boolean {
  return /trigger$/i.test(type);
}
