// ElectronBridge.folderOf: the folder of a dropped sheet, which the engine needs absolute.
import { describe, expect, it } from 'vitest';
import { ElectronBridge } from '../../../src/renderer/bridge/electron.ts';

function bridgeWithPath(path: string | null): ElectronBridge {
  return new ElectronBridge({
    invoke: async () => ({ result: null }),
    onEvent: () => () => {},
    pathForFile: () => path,
  });
}

describe('ElectronBridge.folderOf', () => {
  const file = new File(['id,name'], 'sheet.csv');
  it('keeps the trailing separator so a root folder stays absolute', () => {
    expect(bridgeWithPath('/srv/catalog/sheet.csv').folderOf(file)).toBe('/srv/catalog/');
    expect(bridgeWithPath('C:\\Catalog\\sheet.csv').folderOf(file)).toBe('C:\\Catalog\\');
    expect(bridgeWithPath('C:\\sheet.csv').folderOf(file)).toBe('C:\\');
    expect(bridgeWithPath('/sheet.csv').folderOf(file)).toBe('/');
  });
  it('knows no folder without a disk path (or an older preload)', () => {
    expect(bridgeWithPath(null).folderOf(file)).toBeUndefined();
    expect(bridgeWithPath('sheet.csv').folderOf(file)).toBeUndefined();
    const old = new ElectronBridge({ invoke: async () => ({ result: null }), onEvent: () => () => {} });
    expect(old.folderOf(file)).toBeUndefined();
  });
});
