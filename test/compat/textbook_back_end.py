"""The textbook's Back End process_request (chapter 4.4), nearly verbatim, as a compatibility
probe for our Front End's RPC client. Its replies carry no correlation_id.

Differences from the book, all outside the protocol: a dict stands in for the users table
(this probe tests the messaging contract, not SQL), and the broker address, credentials
and queue name come from the environment.
"""
import json
import logging
import os

import pika

users = {}


def process_request(ch, method, properties, body):
    request = json.loads(body)
    if 'action' not in request:
        response = {'success': False, 'message': "Request does not have action"}
    else:
        action = request['action']
        if action == 'GETHASH':
            email = request['data']['email']
            if email not in users:
                response = {'success': False}
            else:
                response = {'success': True, 'hash': users[email]}
        elif action == 'REGISTER':
            email = request['data']['email']
            if email in users:
                response = {'success': False, 'message': 'User already exists'}
            else:
                users[email] = request['data']['hash']
                response = {'success': True}
        else:
            response = {'success': False, 'message': "Unknown action"}
    ch.basic_publish(exchange='', routing_key=properties.reply_to, body=json.dumps(response))


def main():
    credentials = pika.PlainCredentials(os.environ['AMQP_USER'], os.environ['AMQP_PASS'])
    connection = pika.BlockingConnection(pika.ConnectionParameters(
        host=os.environ.get('AMQP_HOST', '127.0.0.1'), port=int(os.environ['AMQP_PORT']), credentials=credentials))
    channel = connection.channel()
    queue = os.environ.get('QUEUE', 'request')
    channel.queue_declare(queue=queue)
    channel.basic_consume(queue=queue, on_message_callback=process_request, auto_ack=True)
    logging.basicConfig(level=logging.INFO)
    logging.info("Starting consumption...")
    channel.start_consuming()


if __name__ == '__main__':
    main()
