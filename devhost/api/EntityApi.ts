import { ClientError } from "../client/ClientError.js";
import type { TaskHubClient } from "../client/TaskHubClient.js";
import { compactJson } from "./compactJson.js";
import { entityStatusJson } from "./entityStatusJson.js";
import { CONTINUATION_HEADER } from "./continuationHeader.js";
import { emptyResponse } from "./emptyResponse.js";
import { errorResponse } from "./errorResponse.js";
import { jsonResponse } from "./jsonResponse.js";
import { jsonToken } from "./jsonToken.js";
import { mediaType } from "./mediaType.js";
import type { QueryParameters } from "./QueryParameters.js";

/** The extension's default page size for entity listings. */
const DEFAULT_PAGE_SIZE = 100;
/** In a read, this key stands for the empty key (which a URL cannot carry). */
const EMPTY_KEY_SYMBOL = "$";

/**
 * The entity half of the extension's HTTP API. On these routes the extension answers an
 * ArgumentException (unknown entity function, bad key) with a bare 400 message, not the general
 * "arguments submitted" error.
 */
export class EntityApi {
  constructor(private readonly client: TaskHubClient) {}

  /** POST entities/{name}/{key}?op= (DELETE: the "delete" operation): 202; 400 bad JSON or entity. */
  async signal(request: Request, query: QueryParameters, name: string, key: string): Promise<Response> {
    const operation = request.method === "DELETE" ? "delete" : (query.string("op") ?? "");
    const body = await request.text();
    let input: string | undefined;
    if (body !== "") {
      if (mediaType(request) === "application/json") {
        try {
          JSON.parse(body);
        } catch (error) {
          return errorResponse(400, `Could not parse JSON content: ${error instanceof Error ? error.message : String(error)}`);
        }
        input = compactJson(body);
      } else {
        // Content of any other type is the operation's input as a string.
        input = JSON.stringify(body);
      }
    }
    try {
      await this.client.signalEntity(name, key, operation, input);
    } catch (error) {
      if (error instanceof ClientError && error.kind === "badArgument") return errorResponse(400, error.message);
      throw error;
    }
    return emptyResponse(202);
  }

  /** GET entities/{name}/{key}: 200 with the state, 404 when the entity has none. */
  async read(name: string, key: string): Promise<Response> {
    const entity = await this.client.readEntity(name, key === EMPTY_KEY_SYMBOL ? "" : key);
    return entity === undefined ? emptyResponse(404) : jsonResponse(200, jsonToken(entity.state));
  }

  /** GET entities/{name?}: a page of existing entities; state only with fetchState=true. */
  async list(request: Request, query: QueryParameters, name: string | undefined): Promise<Response> {
    const continuationToken = request.headers.get(CONTINUATION_HEADER) ?? "";
    const lastModifiedFrom = query.dateTime("lastOperationTimeFrom");
    const lastModifiedTo = query.dateTime("lastOperationTimeTo");
    const top = query.integer("top");
    const page = await this.client.listEntities({
      top: top !== undefined && top > 0 ? top : DEFAULT_PAGE_SIZE,
      ...(name === undefined ? {} : { name }),
      ...(lastModifiedFrom === undefined ? {} : { lastModifiedFrom }),
      ...(lastModifiedTo === undefined ? {} : { lastModifiedTo }),
      ...(continuationToken === "" ? {} : { continuationToken }),
    });
    const fetchState = query.boolean("fetchState") ?? false;
    return jsonResponse(
      200,
      page.items.map((entity) => entityStatusJson(entity, fetchState)),
      { [CONTINUATION_HEADER]: page.continuationToken ?? "" },
    );
  }
}
