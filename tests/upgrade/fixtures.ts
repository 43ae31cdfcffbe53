import * as path from "path";

/** The stack every upgrade fixture was brought up as. */
export const FIXTURE_STACK = "upgrade";

/** Where the state an older commit's `up` wrote is kept, one JSON file per variant. */
export function fixtureDir(commit: string): string {
    return path.join(__dirname, "fixtures", commit);
}
