#!/usr/bin/env node
// A committed file rather than dist/cli.js itself, so that package managers can link the bin
// before dist/ is built (in a workspace, at install time).
import '../dist/cli.js';
