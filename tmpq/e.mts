import { adminJson } from '../test/support/keycloak-admin.ts';
const ev = await adminJson('/admin/realms/cloud-b/events?max=4') as any[];
for (const e of ev) console.log(new Date(e.time).toISOString(), e.type, e.clientId, e.userId, e.error, JSON.stringify(e.details ?? {}).slice(0, 150));
