/** The JSON body of an answer, or null when it is not JSON (a proxy's HTML error page: the status decides). */
export async function readJson<T>(response: Response): Promise<T | null> {
  try {
    return (await response.json()) as T;
  } catch {
    return null;
  }
}
