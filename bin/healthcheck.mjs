#!/usr/bin/env node
// The container's health check: GET /healthz of the broker in this container (loopback, the port of
// FEDBROKER_LISTEN; https when FEDBROKER_TLS_CERT is set). Exit 0 on 200, 1 otherwise. The broker's
// certificate names its public host, not 127.0.0.1, so this local probe does not verify it; it sends
// nothing secret.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const listen = process.env.FEDBROKER_LISTEN ?? '127.0.0.1:17443';
const port = Number(/:(\d+)$/.exec(listen)?.[1] ?? 17443);
const tls = Boolean(process.env.FEDBROKER_TLS_CERT);
const request = tls ? httpsRequest : httpRequest;
const req = request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET', timeout: 2000, ...(tls && { rejectUnauthorized: false }) }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (error) => { console.error(`healthcheck: ${error.message}`); process.exit(1); });
req.end();
