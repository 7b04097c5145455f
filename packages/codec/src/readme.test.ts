import { testReadmeExamples } from '../../../tools/readme-examples.js';

testReadmeExamples('@ch/codec', new URL('../', import.meta.url), 4);
