import { setReplyHeader } from './reply-header';

describe('setReplyHeader', () => {
  it('uses reply.header on a Fastify reply', () => {
    const header = jest.fn();
    setReplyHeader({ raw: {}, header }, 'Content-Type', 'text/xml');
    expect(header).toHaveBeenCalledWith('Content-Type', 'text/xml');
  });

  it('uses setHeader (verbatim, no charset added) on a Node/Express response', () => {
    const setHeader = jest.fn();
    setReplyHeader({ setHeader }, 'Content-Type', 'text/xml');
    expect(setHeader).toHaveBeenCalledWith('Content-Type', 'text/xml');
  });
});
