// Whether kafkajs can log in to a SASL listener with the given options (connect + one request).
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';

export async function canLogIn(port: number, options: SASLOptions): Promise<boolean> {
  // kafkajs caches its authenticator (bound to the password) on the options object it is
  // given, so every attempt gets a fresh copy.
  const sasl = { ...options } as SASLOptions & { authenticationProvider?: unknown };
  delete sasl.authenticationProvider;
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}
