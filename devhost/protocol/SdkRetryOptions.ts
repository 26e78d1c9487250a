/** RetryOptions as durable-functions sends them with a *WithRetry action (the optional ones only when set). */
export interface SdkRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}
