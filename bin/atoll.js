#!/usr/bin/env node
import '../src/cli/index.ts';
