#!/usr/bin/env node
// The published entry point is plain JS so it runs from a checkout after `npm install`:
// it registers tsx's loader, then hands over to the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host-services/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
