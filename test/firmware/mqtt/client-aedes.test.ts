// The device's MQTT client against aedes, the in-process broker `npm start` runs.
import { aedesPeer } from "./brokers.js";
import { describeClientAgainst } from "./client-suite.js";

describeClientAgainst("aedes (plain TCP)", aedesPeer);
