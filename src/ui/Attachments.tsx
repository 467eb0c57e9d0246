import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MAX_UPLOAD_BYTES } from '../api/schemas';
import { useServices } from './context';

interface Attachment {
  id: string;
  name: string;
  /** Refused before sending (too big): never queued. */
  tooBig?: boolean;
}

/**
 * Photos and PDFs for a write in `lane`: each goes into the outbox at once (so it is sent offline
 * too, when the network is back) with a progress bar while it is sent, and can be cancelled or
 * removed; `onChange` hears the client ids of the ones not refused. Leaving the form without the
 * write cancels what is still on its way.
 */
export function Attachments({ onChange, label, lane }: { onChange: (ids: string[]) => void; label: string; lane: string }) {
  const { desk, i18n } = useServices();
  const { t } = i18n;
  const [files, setFiles] = useState<Attachment[]>([]);
  const latest = useRef(files);
  latest.current = files;
  const states = desk!.attaching.value;

  // At once, not after the next paint: a submit right after choosing names the file.
  useLayoutEffect(() => onChange(files.flatMap((file) => (file.tooBig || states[file.id]?.failed ? [] : [file.id]))), [files, states]);
  useEffect(() => () => latest.current.forEach((file) => desk!.detach(file.id)), []);

  const add = (list: FileList | null) => {
    const added = Array.from(list ?? [], (file) =>
      file.size > MAX_UPLOAD_BYTES ? { id: crypto.randomUUID(), name: file.name, tooBig: true } : { id: desk!.attach(file, lane), name: file.name });
    setFiles((current) => [...current, ...added]);
  };
  const remove = (file: Attachment) => {
    desk!.detach(file.id);
    setFiles((current) => current.filter((other) => other !== file));
  };

  return (
    <div class="attachments">
      <label class="button">
        {label}
        <input type="file" class="sr" accept="image/png,image/jpeg,image/webp,image/gif,application/pdf" multiple
          onChange={(event) => add(event.currentTarget.files)} />
      </label>
      <ul>
        {files.map((file) => {
          const state = states[file.id];
          const error = file.tooBig ? t('fileTooBig') : state?.failed && t(state.failed === 415 ? 'fileType' : 'uploadFailed');
          return (
            <li key={file.id}>
              <span>{file.name}</span>
              {error ? <span class="error">{error}</span>
                : !state?.done && <progress max={1} value={state?.progress ?? 0} aria-label={i18n.fill('uploading', { name: file.name })} />}
              <button type="button" class="link" onClick={() => remove(file)}>
                {state?.done || error ? t('remove') : t('cancel')}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
