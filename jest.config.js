/** Unit tests run anywhere; e2e tests need a Docker host with bonding (the lab host VM). */
const common = { preset: "ts-jest", testEnvironment: "node" };
module.exports = {
    projects: [
        { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
        {
            ...common,
            displayName: "e2e",
            testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
            globalSetup: "<rootDir>/tests/e2e/lab-host.ts",
            globalTeardown: "<rootDir>/tests/e2e/lab-teardown.ts",
            setupFilesAfterEnv: ["<rootDir>/tests/e2e/setup-timeout.ts"],
        },
    ],
};
