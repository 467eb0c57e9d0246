/**
 * Images in chat (issue 6), through the npm entry against a MemoryAdapter in real Chromium: the
 * composer's attach button, chips with progress and cancel, thumbnails drawn on a canvas (from the
 * shopper's own File, or downloaded when scrolled into view), and the outbox order offline: each
 * image before the message that names it, whose client ids become the server's, on the batch path too.
 */
import { expect } from 'chai';
import type { MessageCreate, Upload } from '../../src/api/schemas';
import { KefuError } from '../../src/client/errors';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { createKefu, type KefuApi } from '../../src/index';
import { $, $$, type, until } from './dom';

let sites = 0;
const site = () => `pk_images${Date.now().toString(36)}${sites++}`;
let kefu: KefuApi | undefined;

afterEach(async () => {
  await kefu?.destroy();
  kefu = undefined;
});

function start(adapter = new MemoryAdapter({ bot: () => undefined }), name = site()) {
  kefu = createKefu({ site: name, adapter, locale: 'en', user: { token: 'signed-in' } });
  return adapter;
}

/** A real PNG of `width` × `height`, left half red and right half blue. */
async function png(name: string, width = 480, height = 240): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ff0000';
  context.fillRect(0, 0, width / 2, height);
  context.fillStyle = '#0000ff';
  context.fillRect(width / 2, 0, width / 2, height);
  return new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
}

function choose(files: File[]) {
  const input = $<HTMLInputElement>('form.composer input[type=file]')!;
  const transfer = new DataTransfer();
  files.forEach((file) => transfer.items.add(file));
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

function send(text: string) {
  type($('#kefu-input'), text);
  $<HTMLButtonElement>('button.send')!.click();
}

/** Holds the adapter's uploads until `release()`; `sent` lists the names that reached it. */
function holdUploads(adapter: MemoryAdapter) {
  const upload = adapter.upload.bind(adapter);
  const sent: string[] = [];
  let release!: () => void;
  const online = new Promise<void>((resolve) => (release = resolve));
  adapter.upload = async (file, options) => {
    await online;
    if (options.signal?.aborted) throw new KefuError('aborted', 'cancelled');
    const created = await upload(file, options);
    sent.push((file as File).name);
    return created;
  };
  return { release, sent };
}

/** The colour at (x, y) of a canvas, as `r,g,b`. */
const pixel = (canvas: HTMLCanvasElement, x: number, y: number) =>
  [...canvas.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3)].join(',');

describe('images in chat', () => {
  it('the composer attaches images by keyboard-reachable button, shows chips with progress, cancels and refuses before sending', async () => {
    const adapter = start();
    const { release, sent } = holdUploads(adapter);
    await kefu!.open('chat');
    await until(() => !!$('form.composer input[type=file]'), 'the attach button');
    const input = $<HTMLInputElement>('form.composer input[type=file]')!;
    expect(input.labels?.[0]?.textContent).to.equal('Attach an image', 'the file input is named by its label');
    expect(input.accept).to.equal('image/png,image/jpeg,image/webp,image/gif');
    input.focus();
    expect(input.getRootNode()).to.have.property('activeElement', input, 'reachable with the keyboard');

    choose([await png('keep.png'), await png('cancel.png'), new File([new Uint8Array(6 * 1024 * 1024)], 'huge.png', { type: 'image/png' }),
      new File(['%PDF-1.4'], 'receipt.pdf', { type: 'application/pdf' })]);
    await until(() => $$('.composer li').length === 4, 'four chips');
    expect($$('.composer progress')).to.have.length(2, 'a progress bar for each image on its way');
    expect($$('.composer progress')[0]!.getAttribute('aria-label')).to.equal('Uploading keep.png');
    const chip = (name: string) => $$('.composer li').find((li) => li.textContent!.includes(name))!;
    expect(chip('huge.png').textContent).to.contain('Too large');
    expect(chip('receipt.pdf').textContent).to.contain('Only PNG, JPEG, GIF or WEBP images');
    const cancel = chip('cancel.png').querySelector('button')!;
    expect(cancel.getAttribute('aria-label')).to.equal('Cancel cancel.png');
    cancel.click();
    await until(() => $$('.composer li').length === 3, 'the cancelled one gone');
    chip('receipt.pdf').querySelector('button')!.click();
    await until(() => $$('.composer li').length === 2, 'the refused PDF removed');

    send('The lid is cracked');
    await until(() => $$('.msg.shopper').length === 1 && $$('.composer li').length === 0, 'sent; the chips cleared');
    expect($('.msg.shopper')!.dataset.status).to.equal('sending', 'the message waits behind its image');
    release();
    await until(() => $('.msg.shopper')?.dataset.status === 'sent', 'sent once the image is up');
    expect(sent).to.deep.equal(['keep.png'], 'neither the cancelled nor the refused ones were sent');
    const [conversation] = (await adapter.listConversations()).conversations;
    const [message] = (await adapter.listMessages(conversation!.id)).messages;
    expect(message!.attachmentIds).to.have.length(1);
    expect(message!.attachmentIds![0]).to.match(/^up_/, 'named by its server id');
  });

  it("draws the shopper's own image on a canvas from the local File, scaled to 240 px keeping its aspect, without a download", async () => {
    const adapter = start();
    let downloads = 0;
    const fetchUpload = adapter.fetchUpload.bind(adapter);
    adapter.fetchUpload = (id) => (downloads++, fetchUpload(id));
    await kefu!.open('chat');
    await until(() => !!$('form.composer input[type=file]'), 'the composer');
    choose([await png('parcel.png', 480, 240)]);
    await until(() => !!$('.composer li') && !$('.composer progress'), 'uploaded');
    send('Here is the parcel');
    await until(() => $('.msg.shopper')?.dataset.status === 'sent' && $('.msg.shopper canvas')?.getAttribute('aria-label') === 'parcel.png', 'drawn');
    const canvas = $<HTMLCanvasElement>('.msg.shopper canvas')!;
    expect(canvas.getAttribute('role')).to.equal('img');
    expect(canvas.getBoundingClientRect().width).to.be.closeTo(240, 1);
    expect(canvas.getBoundingClientRect().height).to.be.closeTo(120, 1);
    expect(pixel(canvas, canvas.width / 4, canvas.height / 2)).to.equal('255,0,0');
    expect(pixel(canvas, (3 * canvas.width) / 4, canvas.height / 2)).to.equal('0,0,255');
    expect(downloads).to.equal(0, 'the local File, not the server, drew it');
  });

  it('a history image is downloaded and drawn only when scrolled into view', async () => {
    const name = site();
    const adapter = start(undefined, name);
    await kefu!.open('chat');
    await until(() => !!$('form.composer input[type=file]'), 'the composer');
    choose([await png('old.png', 200, 400)]);
    await until(() => !!$('.composer li') && !$('.composer progress'), 'uploaded');
    send('An old photo');
    await until(() => $('.msg.shopper')?.dataset.status === 'sent', 'sent');
    const [conversation] = (await adapter.listConversations()).conversations;
    for (let i = 0; i < 25; i++) await adapter.postMessage(conversation!.id, { clientId: crypto.randomUUID(), text: `line ${i}` });
    await kefu!.destroy();

    let downloads = 0;
    const fetchUpload = adapter.fetchUpload.bind(adapter);
    adapter.fetchUpload = (id) => (downloads++, fetchUpload(id));
    start(adapter, name);
    await kefu!.open('chat');
    await until(() => $$('.msg.shopper').length === 26, 'the history');
    const log = $('.log')!;
    await until(() => log.scrollTop > 0, 'scrolled to the newest');
    await new Promise(requestAnimationFrame);
    await new Promise(requestAnimationFrame);
    expect(downloads).to.equal(0, 'out of view: not downloaded');
    const image = () => $<HTMLCanvasElement>('.msg.shopper canvas')!;
    image().scrollIntoView();
    await until(() => image().getAttribute('aria-label') === 'old.png', 'downloaded and drawn once in view, named as uploaded')
      .catch((error: Error) => {
        throw new Error(`${error.message} (downloads ${downloads}, label ${image().getAttribute('aria-label')}, scrollTop ${log.scrollTop})`);
      });
    const canvas = image();
    expect(downloads).to.equal(1);
    expect(canvas.getBoundingClientRect().height).to.be.closeTo(180, 1, 'a tall image is held to 180 px high');
    expect(canvas.getBoundingClientRect().width).to.be.closeTo(90, 1);
  });

  it('offline, the image and its message queue; back online the image goes first and the message (in a batch) names its server id', async () => {
    const adapter = new MemoryAdapter({ bot: () => undefined });
    let offline = true;
    const order: string[] = [];
    const network = () => new KefuError('network', 'offline');
    const upload = adapter.upload.bind(adapter);
    adapter.upload = async (file, options) => {
      if (offline) throw network();
      const created: Upload = await upload(file, options);
      order.push(`upload ${created.id}`);
      return created;
    };
    const createConversation = adapter.createConversation.bind(adapter);
    adapter.createConversation = async (body) => {
      if (offline) throw network();
      return createConversation(body);
    };
    const postMessages = adapter.postMessages.bind(adapter);
    adapter.postMessages = async (id, bodies: MessageCreate[]) => {
      if (offline) throw network();
      order.push(`batch ${bodies.map((body) => `${body.text}[${body.attachmentIds ?? ''}]`).join(' ')}`);
      return postMessages(id, bodies);
    };
    start(adapter);
    await kefu!.open('chat');
    await until(() => !!$('form.composer input[type=file]'), 'the composer');
    choose([await png('offline.png')]);
    await until(() => !!$('.composer progress'), 'the image queued');
    send('With a photo');
    await until(() => $$('.msg.shopper').length === 1, 'the first message shown');
    send('And more');
    await until(() => $$('.msg.shopper').length === 2, 'the second');
    expect($$('.msg.shopper').map((m) => m.dataset.status)).to.deep.equal(['sending', 'sending']);
    const local = $<HTMLCanvasElement>('.msg.shopper canvas')!;
    await until(() => local.getAttribute('aria-label') === 'offline.png', 'the queued image shows from the File');
    expect(order).to.deep.equal([]);

    offline = false;
    window.dispatchEvent(new Event('online'));
    await until(() => $$('.msg.shopper').every((m) => m.dataset.status === 'sent'), 'both sent once online');
    expect(order).to.have.length(2);
    const id = order[0]!.slice('upload '.length);
    expect(order[1]).to.equal(`batch With a photo[${id}] And more[]`, 'the image first, then both messages in one batch, naming its server id');
  });
});
