jest.setTimeout(15 * 60 * 1000); // a lab takes about a minute in the emulated VM; drills longer
