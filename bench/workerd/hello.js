// The same hello world Atoll serves in bench/hello-http.ts (HELLO_SOURCE), as workerd runs it.
export default { fetch() { return new Response('Hello World') } }
