import { testReadmeExamples } from '../../../tools/readme-examples.js';

testReadmeExamples('@ch/rpc', new URL('../', import.meta.url), 8);
