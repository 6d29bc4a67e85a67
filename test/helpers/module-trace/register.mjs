// `node --import <this file>`: installs hooks.mjs so a child process reports the modules it loads.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
