// Local stand-ins for the cloud parts: an MQTT broker and an S3 store, both
// in-process, for `npm start` and the test suite.
export { startLocalBroker, type LocalBroker, type LocalBrokerOptions } from "./broker.js";
export { startLocalStore, LOCAL_STORE_CREDENTIALS, type LocalStore, type LocalStoreOptions } from "./store.js";
