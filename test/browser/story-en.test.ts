// The help article's whole story in English, on a desktop (1280×800) and on a phone (390×844).
import { DESKTOP, PHONE, type Stack, startConsoleStack, inVisit, visit } from './harness';
import { keyboardStory } from './keyboard';
import { mspStory } from './storyMsp';

describe('the console in Chromium, in English', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it.each([DESKTOP, PHONE])(
    'runs the help article’s story on a $name',
    async (screen) => {
      await inVisit(stack, 'en', screen, 'story', async (v) => {
        await mspStory(stack, v, `en-${screen.name}`);
      });
    },
    240_000,
  );

  it('works from the keyboard alone', async () => {
    const v = await visit(stack, 'en', DESKTOP, 'keyboard');
    try {
      await keyboardStory(stack, v);
    } finally {
      await v.close();
    }
  }, 60_000);
});
