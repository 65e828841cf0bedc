// Sends one request with the default transport and keeps nothing else alive: the process must exit
// on its own with the keep-alive socket still open (idle sockets are unref'd).
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import { createHttpClient } from "../../../src/transport/createHttpClient.js";

const response = await createHttpClient().sendRequest(createPipelineRequest({ url: process.env.TARGET_URL!, allowInsecureConnection: true }));
process.stdout.write(`${JSON.stringify({ status: response.status })}\n`);
