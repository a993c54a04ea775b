// The help article's whole story in German, on a desktop (1280×800) and on a phone (390×844).
import { DESKTOP, PHONE, type Stack, startConsoleStack, inVisit } from './harness';
import { mspStory } from './storyMsp';

describe('the console in Chromium, in German', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it.each([PHONE, DESKTOP])(
    'runs the help article’s story on a $name',
    async (screen) => {
      await inVisit(stack, 'de', screen, 'story', async (v) => {
        await mspStory(stack, v, `de-${screen.name}`);
      });
    },
    240_000,
  );
});
