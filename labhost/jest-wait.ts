import { labhostReady } from "./jest-setup";

// setupFilesAfterEnv of every jest project that uses the lab host: wait for its background start.
beforeAll(labhostReady, 30 * 60 * 1000);
