// The CLI from source, for tests that run action.yml's shell steps (node + the TypeScript loader).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
