// Lambda style: returns the API Gateway HTTP API (payload 2.0) event it received.
export async function handler(event, context) {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event, requestId: context.awsRequestId }),
  };
}
