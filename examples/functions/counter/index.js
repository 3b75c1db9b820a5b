// Module state lives as long as the instance: warm invocations of the same instance
// see the count go up; a cold start begins again at zero (as in Lambda and Workers).
let count = 0;
const startedAt = new Date().toISOString();

export default {
  async fetch() {
    count += 1;
    return Response.json({ count, startedAt });
  },
};
