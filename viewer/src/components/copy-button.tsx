import { useState } from 'preact/hooks'

/** Copies `text` to the clipboard; says whether it worked. */
export function CopyButton({
  name,
  text,
  label,
}: {
  readonly name: string
  readonly text: string
  readonly label?: string
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const copy = () => {
    navigator.clipboard
      .writeText(text)
      .then(() => setState('copied'))
      .catch(() => setState('failed'))
      .finally(() => setTimeout(() => setState('idle'), 1500))
  }
  return (
    <button type="button" class="copy" data-testid={`copy-${name}`} aria-label={`Copy ${label ?? name}`} onClick={copy}>
      {state === 'idle' ? 'Copy' : state === 'copied' ? 'Copied' : 'Copy failed'}
    </button>
  )
}
