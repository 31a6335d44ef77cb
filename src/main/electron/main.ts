// Placeholder until the desktop-app issue (#7) lands the secure shell.
import { app } from 'electron';

app.whenReady().then(() => {
  console.log('Product Showcase Studio: the desktop shell is not built yet; use `bin/showcase serve --ui`.');
  app.quit();
});
