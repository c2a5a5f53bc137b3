// The Kafka error names a kafkajs call failed with (one per failed topic for batched admin calls).

/** Awaits `p` and returns the error names it was rejected with, or [] when it succeeded. */
export async function errorTypes(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
    return [];
  } catch (e) {
    const errors = (e as { errors?: { type?: string }[] }).errors ?? [e as { type?: string }];
    return errors.map((x) => String(x.type));
  }
}
