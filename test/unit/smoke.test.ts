import { expect } from 'chai';
describe('smoke', () => { it('runs in Chromium', () => { expect(typeof indexedDB).to.equal('object'); }); });
