#!/usr/bin/env node
// `squadflow` in the workspace: registers tsx's loader, then runs the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
