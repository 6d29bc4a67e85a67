// Every test file may read mode files: the built-in strategy families register their schemas on import.
import '../../src/strategies/index.js';
