import { jsonResponse } from "./jsonResponse.js";

export interface ReportedException {
  message: string;
  /** The .NET exception type the extension would name. */
  exceptionType: string;
}

/**
 * The extension's error bodies (ASP.NET's HttpError): a Message, and when an exception caused the
 * error, its message and type as ExceptionMessage and ExceptionType.
 */
export function errorResponse(status: number, message: string, exception?: ReportedException): Response {
  return jsonResponse(status, {
    Message: message,
    ...(exception === undefined ? {} : { ExceptionMessage: exception.message, ExceptionType: exception.exceptionType }),
  });
}
