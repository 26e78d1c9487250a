/** A route parameter constraint: the inline text it came from and the test a value must pass. */
export interface RouteConstraint {
  readonly text: string;
  test(value: string): boolean;
}

type ConstraintFactory = (args: readonly string[]) => (value: string) => boolean;

const INT32: readonly [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const INT64: readonly [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];

/**
 * ASP.NET Core's inline constraints, as the Functions host resolves them: name, then arguments in
 * parentheses. `regex` takes its whole argument (commas included); the others split on commas.
 */
export function createRouteConstraint(text: string): RouteConstraint {
  const open = text.indexOf("(");
  const name = (open < 0 ? text : text.slice(0, open)).toLowerCase();
  const argumentText = open < 0 ? undefined : text.slice(open + 1, text.endsWith(")") ? -1 : undefined);
  const entry = CONSTRAINTS.get(name);
  if (entry === undefined) {
    throw new Error(
      `The constraint reference '${open < 0 ? text : text.slice(0, open)}' could not be resolved to a type. Register the constraint type with 'Microsoft.AspNetCore.Routing.RouteOptions.ConstraintMap'.`,
    );
  }
  const args = argumentText === undefined ? [] : name === "regex" ? [argumentText] : argumentText.split(",").map((arg) => arg.trim());
  if (!entry.arities.includes(args.length)) {
    throw new Error(`Could not find a constructor for constraint type '${entry.typeName}' with the following number of parameters: ${args.length}.`);
  }
  return { text, test: entry.create(args) };
}

const CONSTRAINTS = new Map<string, { typeName: string; arities: readonly number[]; create: ConstraintFactory }>([
  ["int", { typeName: "IntRouteConstraint", arities: [0], create: () => (value) => parseInteger(value, INT32) !== undefined }],
  ["long", { typeName: "LongRouteConstraint", arities: [0], create: () => (value) => parseInteger(value, INT64) !== undefined }],
  ["bool", { typeName: "BoolRouteConstraint", arities: [0], create: () => (value) => /^\s*(true|false)\s*$/i.test(value) }],
  ["alpha", { typeName: "AlphaRouteConstraint", arities: [0], create: () => (value) => /^[a-z]*$/i.test(value) }],
  ["guid", { typeName: "GuidRouteConstraint", arities: [0], create: () => isGuid }],
  ["decimal", { typeName: "DecimalRouteConstraint", arities: [0], create: () => (value) => /^\s*[+-]?(\d[\d,]*)?(\.\d*)?\s*$/.test(value) && /\d/.test(value) }],
  ["double", { typeName: "DoubleRouteConstraint", arities: [0], create: () => isFloat }],
  ["float", { typeName: "FloatRouteConstraint", arities: [0], create: () => isFloat }],
  ["datetime", { typeName: "DateTimeRouteConstraint", arities: [0], create: () => isDateTime }],
  ["required", { typeName: "RequiredRouteConstraint", arities: [0], create: () => (value) => value !== "" }],
  ["min", { typeName: "MinRouteConstraint", arities: [1], create: ([min]) => inRange(longArgument(min), undefined) }],
  ["max", { typeName: "MaxRouteConstraint", arities: [1], create: ([max]) => inRange(undefined, longArgument(max)) }],
  ["range", { typeName: "RangeRouteConstraint", arities: [2], create: ([min, max]) => inRange(longArgument(min), longArgument(max)) }],
  ["minlength", { typeName: "MinLengthRouteConstraint", arities: [1], create: ([min]) => lengthBetween(intArgument(min), undefined) }],
  ["maxlength", { typeName: "MaxLengthRouteConstraint", arities: [1], create: ([max]) => lengthBetween(undefined, intArgument(max)) }],
  [
    "length",
    {
      typeName: "LengthRouteConstraint",
      arities: [1, 2],
      create: (args) => (args.length === 1 ? lengthBetween(intArgument(args[0]), intArgument(args[0])) : lengthBetween(intArgument(args[0]), intArgument(args[1]))),
    },
  ],
  ["regex", { typeName: "RegexRouteConstraint", arities: [1], create: ([pattern]) => matchesRegex(pattern ?? "") }],
]);

/** .NET's Int32/Int64.TryParse with NumberStyles.Integer: surrounding white space and a sign allowed. */
function parseInteger(value: string, [min, max]: readonly [bigint, bigint]): bigint | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const parsed = BigInt(value.trim());
  return parsed >= min && parsed <= max ? parsed : undefined;
}

function longArgument(arg: string | undefined): bigint {
  const parsed = parseInteger(arg ?? "", INT64);
  if (parsed === undefined) throw new Error(`The route constraint argument '${arg ?? ""}' is not a valid Int64.`);
  return parsed;
}

function intArgument(arg: string | undefined): number {
  const parsed = parseInteger(arg ?? "", INT32);
  if (parsed === undefined || parsed < 0n) throw new Error(`The route constraint argument '${arg ?? ""}' is not a valid length.`);
  return Number(parsed);
}

function inRange(min: bigint | undefined, max: bigint | undefined): (value: string) => boolean {
  if (min !== undefined && max !== undefined && min > max) throw new Error(`The value for argument 'min' should be less than or equal to the value for the argument 'max'.`);
  return (value) => {
    const parsed = parseInteger(value, INT64);
    return parsed !== undefined && (min === undefined || parsed >= min) && (max === undefined || parsed <= max);
  };
}

function lengthBetween(min: number | undefined, max: number | undefined): (value: string) => boolean {
  if (min !== undefined && max !== undefined && min > max) throw new Error(`The value for argument 'minLength' should be less than or equal to the value for the argument 'maxLength'.`);
  return (value) => (min === undefined || value.length >= min) && (max === undefined || value.length <= max);
}

/** Case-insensitive and unanchored, as ASP.NET Core's regex constraint (anchor with ^ and $). */
function matchesRegex(pattern: string): (value: string) => boolean {
  const regex = new RegExp(pattern, "i");
  return (value) => regex.test(value);
}

const GUID = "[\\da-f]{8}-[\\da-f]{4}-[\\da-f]{4}-[\\da-f]{4}-[\\da-f]{12}";
const GUID_FORMATS = new RegExp(`^\\s*([\\da-f]{32}|${GUID}|\\{${GUID}\\}|\\(${GUID}\\))\\s*$`, "i");

/** Guid.TryParse's N, D, B and P formats. */
function isGuid(value: string): boolean {
  return GUID_FORMATS.test(value);
}

/** Double.TryParse with NumberStyles.Float | AllowThousands, invariant culture. */
function isFloat(value: string): boolean {
  if (/^\s*[+-]?(NaN|Infinity|∞)\s*$/i.test(value)) return true;
  return /^\s*[+-]?(\d[\d,]*)?(\.\d*)?(e[+-]?\d+)?\s*$/i.test(value) && /\d/.test(value.replace(/e[+-]?\d+\s*$/i, ""));
}

/**
 * DateTime.TryParse with the invariant culture, for what fits in a path segment: ISO 8601 dates,
 * optionally with a time ("T" or a space), seconds, fractions and an offset; the date must exist.
 */
function isDateTime(value: string): boolean {
  const match = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/i.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) => Number(match[group] ?? 0));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}
