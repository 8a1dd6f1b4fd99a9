#include "cli/client_util.h"

namespace olla::cli {

Result<api::Client> ConnectToServer() {
  OLLA_ASSIGN_OR_RETURN(api::Client client, api::Client::FromEnv());
  OLLA_RETURN_IF_ERROR(client.Heartbeat());
  return client;
}

}  // namespace olla::cli
