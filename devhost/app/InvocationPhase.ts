/** Where an invocation is, for the warning the library gives about logs after the function has finished. */
export interface InvocationPhase {
  current: "preInvocationHooks" | "invocation" | "postInvocationHooks" | "done";
}
