/** Unit tests run anywhere; e2e tests need a Docker host with bonding (the lab host VM). */
// Transpile only: `npm test` type-checks the whole project first (npm run typecheck), and
// ts-jest's own type-check of every test file and its imports cost most of a minute per run.
const common = {
    testEnvironment: "node",
    runner: "<rootDir>/tests/runner.js",
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
};
module.exports = {
    // The failures again at the end of the output, whatever the number of suites: CI keeps
    // only the tail of a long e2e run.
    reporters: [["default", { summaryThreshold: 0 }]],
    projects: [
        { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
        {
            ...common,
            displayName: "e2e",
            testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
            globalSetup: "<rootDir>/labhost/jest-setup.ts",
            globalTeardown: "<rootDir>/labhost/jest-teardown.ts",
            setupFilesAfterEnv: ["<rootDir>/tests/e2e/setup-timeout.ts", "<rootDir>/labhost/jest-wait.ts"],
        },
        // A class of labs on one host (npm run test:class): most of an hour, not part of npm test.
        {
            ...common,
            displayName: "class",
            testMatch: ["<rootDir>/tests/class/**/*.test.ts"],
            globalSetup: "<rootDir>/labhost/jest-setup.ts",
            globalTeardown: "<rootDir>/labhost/jest-teardown.ts",
            setupFilesAfterEnv: ["<rootDir>/labhost/jest-wait.ts"],
        },
    ],
};
