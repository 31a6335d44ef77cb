// Electron entry. The shell lives in ./electron (the only code importing 'electron').
import './electron/main.ts';
