import { testReadmeExamples } from '../../../tools/readme-examples.js';

testReadmeExamples('@ch/node', new URL('../', import.meta.url), 1);
