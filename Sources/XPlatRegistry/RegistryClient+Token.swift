// Authentication: the `WWW-Authenticate` challenge of a 401, then Basic credentials or a Bearer
// token from the challenge's realm, scoped to the repositories of the request
// (`repository:team/app:pull` for reads, `pull,push` for writes, plus `pull` on a mount's source).

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// `repository:NAME:ACTIONS`.
    static func scope(_ repository: String, _ actions: String) -> String { "repository:\(repository):\(actions)" }

    private func authorizationKey(_ registry: String, _ scopes: [String]) -> String {
        registry + " " + scopes.sorted().joined(separator: " ")
    }

    /// The header remembered for this call's host and scopes, if the host challenged before.
    func cachedAuthorization(_ call: Call) -> String? {
        guard let challenge = challenges.withLock({ $0[call.operation.registry] }) else { return nil }
        let key =
            challenge.scheme == .basic
            ? call.operation.registry : authorizationKey(call.operation.registry, call.scopes)
        return authorizations.withLock { $0[key] }
    }

    /// Answers `challenge` for `call`: Basic from the credentials, or a Bearer token fetched for the
    /// call's scopes. Without credentials a Bearer realm may still give an anonymous token.
    func authorize(_ call: Call, challenge: AuthChallenge, refresh: Bool) async throws {
        let op = call.operation
        let credential: Credential?
        do { credential = try await configuration.credentials.credential(for: op.registry) } catch let error
            as RegistryError
        {
            throw error
        } catch {
            throw RegistryError.credentials(registry: op.registry, String(describing: error))
        }
        switch challenge.scheme {
        case .basic:
            guard let credential, !credential.username.isEmpty || !credential.password.isEmpty else {
                throw RegistryError.unauthorized(op, hadCredentials: false, detail: "")
            }
            let value = "Basic " + Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
            authorizations.withLock { $0[op.registry] = value }
        case .bearer:
            let token = try await fetchToken(
                challenge: challenge, scopes: call.scopes, credential: credential, operation: op)
            authorizations.withLock { $0[authorizationKey(op.registry, call.scopes)] = "Bearer " + token }
        }
    }

    /// Asks the realm for a token: GET with Basic credentials (or none), or, with an identity token,
    /// the OAuth2 refresh-token POST.
    private func fetchToken(
        challenge: AuthChallenge, scopes: [String], credential: Credential?, operation op: RegistryOperation
    ) async throws -> String {
        guard let realm = challenge.realm, let components = URLComponents(string: realm),
            let realmHost = components.host
        else {
            throw RegistryError.status(op, code: 401, detail: "the token realm is not a URL: \(challenge.realm ?? "")")
        }
        let hostPort = components.port.map { "\(realmHost):\($0)" } ?? realmHost
        var request = tokenRequest(
            realm: realm, components: components, challenge: challenge, scopes: scopes, credential: credential)
        let tokenOp = RegistryOperation(
            registry: op.registry, repository: op.repository, reference: op.reference,
            action: "get a token (\(realm)) to \(op.action)")
        if realm.hasPrefix("https://") { request.tlsConfiguration = try tlsConfiguration(for: hostPort) }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(60)) } catch {
            throw Self.classify(error, tokenOp)
        }
        let body = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        switch response.status.code {
        case 200: break
        case 401, 403:
            throw RegistryError.unauthorized(
                op, hadCredentials: credential != nil,
                detail: "the token service refused: \(RegistryError.detail(from: body))")
        default:
            throw RegistryError.status(
                tokenOp, code: Int(response.status.code), detail: RegistryError.detail(from: body))
        }
        struct Answer: Decodable { var token: String?; var access_token: String? }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else {
            throw RegistryError.status(tokenOp, code: 200, detail: "the token service answered without a token")
        }
        return token
    }

    /// The request to the token realm: with an identity token, the OAuth2 refresh-token POST; else a GET with the
    /// service and scopes in the query and Basic credentials (or none).
    private func tokenRequest(
        realm: String, components: URLComponents, challenge: AuthChallenge, scopes: [String], credential: Credential?
    ) -> HTTPClientRequest {
        var request: HTTPClientRequest
        if let refresh = credential?.identityToken {
            request = HTTPClientRequest(url: realm)
            request.method = .POST
            var form = URLComponents()
            form.queryItems =
                [
                    URLQueryItem(name: "grant_type", value: "refresh_token"),
                    URLQueryItem(name: "refresh_token", value: refresh),
                    URLQueryItem(name: "client_id", value: configuration.userAgent),
                ]
                + (challenge.service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + [URLQueryItem(name: "scope", value: scopes.joined(separator: " "))]
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.percentEncodedQuery ?? ""))
        } else {
            var components = components
            var items = components.queryItems ?? []
            if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
            for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
            components.queryItems = items
            request = HTTPClientRequest(url: components.url?.absoluteString ?? realm)
            if let credential, !credential.username.isEmpty || !credential.password.isEmpty {
                let basic = Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
                request.headers.add(name: "Authorization", value: "Basic " + basic)
            }
        }
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        return request
    }
}
