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
            // A lab comes up in about a minute under an emulated VM; drills take longer.
            testTimeout: 15 * 60 * 1000,
        },
    ],
};
