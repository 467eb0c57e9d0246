import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_UPLOAD_BYTES } from '../api/schemas';
import { useServices } from './context';

interface Attachment {
  key: string;
  name: string;
  progress: number;
  id?: string;
  error?: string;
  abort: AbortController;
}

/**
 * Photos and PDFs for a ticket: each uploads at once with a progress bar and can be cancelled or
 * removed; `onChange` hears the ids of the finished ones.
 */
export function Attachments({ onChange, label }: { onChange: (ids: string[]) => void; label: string }) {
  const { desk, i18n } = useServices();
  const { t } = i18n;
  const [files, setFiles] = useState<Attachment[]>([]);
  const latest = useRef(files);
  latest.current = files;
  const update = (key: string, change: Partial<Attachment> | null) =>
    setFiles((list) => (change ? list.map((file) => (file.key === key ? { ...file, ...change } : file)) : list.filter((file) => file.key !== key)));

  useEffect(() => onChange(files.flatMap((file) => (file.id ? [file.id] : []))), [files]);
  // Leaving the form cancels what is still uploading.
  useEffect(() => () => latest.current.forEach((file) => file.abort.abort()), []);

  const add = (list: FileList | null) => {
    for (const file of Array.from(list ?? [])) {
      const key = crypto.randomUUID();
      const abort = new AbortController();
      const entry: Attachment = { key, name: file.name, progress: 0, abort };
      setFiles((current) => [...current, entry]);
      if (file.size > MAX_UPLOAD_BYTES) {
        update(key, { error: t('fileTooBig') });
        continue;
      }
      desk!.upload(file, { clientId: key, signal: abort.signal, onProgress: (progress) => update(key, { progress }) })
        .then((upload) => update(key, { id: upload.id, progress: 1 }))
        .catch((error: { code?: string; status?: number }) => {
          if (error.code !== 'aborted') update(key, { error: error.status === 415 ? t('fileType') : t('uploadFailed') });
        });
    }
  };

  return (
    <div class="attachments">
      <label class="button">
        {label}
        <input type="file" class="sr" accept="image/png,image/jpeg,image/webp,image/gif,application/pdf" multiple
          onChange={(event) => add(event.currentTarget.files)} />
      </label>
      <ul>
        {files.map((file) => (
          <li key={file.key}>
            <span>{file.name}</span>
            {file.error ? <span class="error">{file.error}</span>
              : !file.id && <progress max={1} value={file.progress} aria-label={i18n.fill('uploading', { name: file.name })} />}
            <button type="button" class="link" onClick={() => (file.abort.abort(), update(file.key, null))}>
              {file.id || file.error ? t('remove') : t('cancel')}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
