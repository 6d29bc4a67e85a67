/** Entry point of `npm run build:contracts` (compiled to dist/src/devnet/build-contracts.js). */
import { main } from './compile.js';

main();
