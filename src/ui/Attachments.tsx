import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MAX_UPLOAD_BYTES } from '../api/schemas';
import { useServices } from './context';

interface Attachment {
  id: string;
  name: string;
  /** Refused before sending (too big; not an image where only images go): why. Never queued. */
  refused?: 'fileTooBig' | 'imageType';
}

interface Props {
  onChange: (ids: string[]) => void;
  label: ComponentChildren;
  /** The outbox lane of the write that will name them (a function: asked when a file is chosen). */
  lane: string | (() => string);
  /** Images only (the chat): the picker offers them, anything else is refused before sending. */
  images?: boolean;
  class?: string;
}

/**
 * Photos and PDFs for a write in `lane`: each goes into the outbox at once (so it is sent offline
 * too, when the network is back) with a progress bar while it is sent, and can be cancelled or
 * removed; `onChange` hears the client ids of the ones not refused. Leaving the form without the
 * write cancels what is still on its way (what a write already names is kept: `desk.claim`).
 */
export function Attachments({ onChange, label, lane, images, class: name = 'button' }: Props) {
  const { desk, i18n } = useServices();
  const { t } = i18n;
  const [files, setFiles] = useState<Attachment[]>([]);
  const latest = useRef(files);
  latest.current = files;
  const states = desk!.attaching.value;

  // At once, not after the next paint: a submit right after choosing names the file.
  useLayoutEffect(() => onChange(files.flatMap((file) => (file.refused || states[file.id]?.failed ? [] : [file.id]))), [files, states]);
  useEffect(() => () => latest.current.forEach((file) => desk!.detach(file.id)), []);

  const add = (input: HTMLInputElement) => {
    const into = typeof lane == 'string' ? lane : lane();
    const added = Array.from(input.files ?? [], (file): Attachment => {
      const refused = file.size > MAX_UPLOAD_BYTES ? 'fileTooBig' : images && !/^image\/(png|jpeg|gif|webp)$/.test(file.type) ? 'imageType' : undefined;
      return { id: refused ? crypto.randomUUID() : desk!.attach(file, into), name: file.name, refused };
    });
    input.value = ''; // The same file may be chosen again.
    setFiles((current) => [...current, ...added]);
  };
  const remove = (file: Attachment) => {
    desk!.detach(file.id);
    setFiles((current) => current.filter((other) => other !== file));
  };

  return (
    <div class="attachments">
      <label class={name}>
        {label}
        <input type="file" class="sr" accept={`image/png,image/jpeg,image/webp,image/gif${images ? '' : ',application/pdf'}`} multiple
          onChange={(event) => add(event.currentTarget)} />
      </label>
      {files.length > 0 && (
        <ul>
          {files.map((file) => {
            const state = states[file.id];
            const error = file.refused ? t(file.refused) : state?.failed && t(state.failed !== 415 ? 'uploadFailed' : images ? 'imageType' : 'fileType');
            const action = state?.done || error ? t('remove') : t('cancel');
            return (
              <li key={file.id}>
                <span class="clip">{file.name}</span>
                {error ? <span class="error">{error}</span>
                  : !state?.done && <progress max={1} value={state?.progress ?? 0} aria-label={i18n.fill('uploading', { name: file.name })} />}
                <button type="button" class="link" aria-label={`${action} ${file.name}`} onClick={() => remove(file)}>{action}</button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
