export default {
  async fetch(request) {
    await request.arrayBuffer();
    return new Response('{"id":"00000000000000000000000000000000"}', {
      headers: { "content-type": "application/json" },
    });
  },
};
