/** Whether an Azure SDK error (a RestError) carries one of the given HTTP statuses. */
export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return false;
  const { statusCode } = error;
  return typeof statusCode === "number" && statuses.includes(statusCode);
}
