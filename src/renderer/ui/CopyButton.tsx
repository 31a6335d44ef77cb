import { useState } from 'react';
import { notify } from '../state/toasts.ts';
import { Button } from './Button.tsx';

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Fallback for contexts without the async clipboard API.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({
  text,
  label = 'Copy',
  testId,
}: {
  text: string;
  label?: string;
  testId?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="s"
      icon={copied ? 'check' : 'copy'}
      data-testid={testId}
      aria-label={`${label}: ${text}`}
      onClick={async () => {
        try {
          await writeClipboard(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1600);
        } catch {
          notify('error', 'Could not copy to the clipboard', 'Select the text and copy it by hand.');
        }
      }}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}
