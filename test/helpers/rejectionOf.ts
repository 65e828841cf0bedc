/** Resolves to what `promise` rejects with; fails when it resolves. (No Node imports: browser tests use it too.) */
export async function rejectionOf<E = unknown>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("Expected the call to reject.");
}
